// Records the shape of every query a store runs (values blanked out), to show that two
// requests took exactly the same path through the code and the database.
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import type { TestStore } from '../../support/stores.js';

export class QueryShapes implements KyselyPlugin {
  recording = false;
  shapes: string[] = [];

  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    if (this.recording) {
      this.shapes.push(
        JSON.stringify(node, (key, value) =>
          key === 'value' || key === 'values' || key === 'parameters' ? '?' : value,
        ),
      );
    }
    return node;
  }

  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }

  async during(work: () => Promise<unknown>): Promise<string[]> {
    this.shapes = [];
    this.recording = true;
    try {
      await work();
    } finally {
      this.recording = false;
    }
    return this.shapes;
  }
}

export function withQueryShapes(store: TestStore): { store: TestStore; shapes: QueryShapes } {
  const shapes = new QueryShapes();
  return { store: { ...store, db: store.db.withPlugin(shapes) }, shapes };
}
