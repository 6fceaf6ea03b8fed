// Command files define options and help with commander alone; what a command runs is loaded
// when it runs (the server and its dependencies take seconds to import on a busy machine).
import type * as Runtime from './runtime.js';

export type Rt = typeof Runtime;

export const runtime = (): Promise<Rt> => import('./runtime.js');
