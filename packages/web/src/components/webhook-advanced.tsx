// The webhook form's "Advanced" part: the guarantees a thin trigger makes possible, with
// their defaults (docs/delivery-guarantees.md). Closed unless something differs from them.
import { Field } from './ui';

export interface AdvancedValues {
  ordering: 'per_resource' | 'none';
  coalesce_updates: boolean;
  supersede_on_delete: boolean;
  /** Hours as typed; blank: no limit. */
  max_age_hours: string;
}

export const ADVANCED_DEFAULTS: AdvancedValues = {
  ordering: 'per_resource',
  coalesce_updates: true,
  supersede_on_delete: true,
  max_age_hours: '',
};

export const ADVANCED_FIELDS = [
  'ordering',
  'coalesce_updates',
  'supersede_on_delete',
  'max_age_hours',
] as const;

/** The API's body fields: a blank age limit is null (no limit), a number is sent as one. */
export function advancedBody(v: AdvancedValues) {
  const hours = v.max_age_hours.trim();
  return {
    ordering: v.ordering,
    coalesce_updates: v.coalesce_updates,
    supersede_on_delete: v.supersede_on_delete,
    // Not a whole number: sent as typed, so the API names the field in its answer.
    max_age_hours: hours === '' ? null : /^\d+$/.test(hours) ? Number(hours) : hours,
  };
}

export function isDefault(v: AdvancedValues): boolean {
  return (
    v.ordering === ADVANCED_DEFAULTS.ordering &&
    v.coalesce_updates === ADVANCED_DEFAULTS.coalesce_updates &&
    v.supersede_on_delete === ADVANCED_DEFAULTS.supersede_on_delete &&
    v.max_age_hours.trim() === ''
  );
}

export function AdvancedSettings({
  values,
  errors,
  onChange,
}: {
  values: AdvancedValues;
  errors: Partial<Record<(typeof ADVANCED_FIELDS)[number], string>>;
  onChange: (next: AdvancedValues) => void;
}) {
  const set = <K extends keyof AdvancedValues>(key: K, value: AdvancedValues[K]) =>
    onChange({ ...values, [key]: value });
  const hasError = ADVANCED_FIELDS.some((f) => errors[f]);
  return (
    <details className="advanced" open={hasError || !isDefault(values)}>
      <summary>Advanced: order, coalescing and age limit</summary>
      <fieldset className="check-group">
        <legend>Order</legend>
        <div className="check">
          <input
            type="radio"
            id="wh-ordering-per-resource"
            name="wh-ordering"
            checked={values.ordering === 'per_resource'}
            onChange={() => set('ordering', 'per_resource')}
          />
          <label htmlFor="wh-ordering-per-resource">
            One booking or order at a time, in event order
            <span className="meaning">
              The next notification about a booking waits until the previous one arrived or finally
              failed. Other bookings and orders go in parallel. (Recommended)
            </span>
          </label>
        </div>
        <div className="check">
          <input
            type="radio"
            id="wh-ordering-none"
            name="wh-ordering"
            checked={values.ordering === 'none'}
            onChange={() => set('ordering', 'none')}
          />
          <label htmlFor="wh-ordering-none">
            No order
            <span className="meaning">Everything is sent as soon as it can be.</span>
          </label>
        </div>
        {errors.ordering && <p className="field-error">{errors.ordering}</p>}
      </fieldset>
      <div className="check">
        <input
          type="checkbox"
          id="wh-coalesce"
          checked={values.coalesce_updates}
          onChange={(e) => set('coalesce_updates', e.target.checked)}
        />
        <label htmlFor="wh-coalesce">
          Combine waiting updates
          <span className="meaning">
            While an update notification waits to be sent, newer updates of the same booking or
            order add none: it stands for them (your receiver fetches the latest details anyway).
          </span>
        </label>
      </div>
      <div className="check">
        <input
          type="checkbox"
          id="wh-supersede"
          checked={values.supersede_on_delete}
          onChange={(e) => set('supersede_on_delete', e.target.checked)}
        />
        <label htmlFor="wh-supersede">
          Skip what waits when it is deleted
          <span className="meaning">
            When a booking or order is cancelled, its waiting “created” and “updated” notifications
            are not sent; only the deletion is. Your receiver may then never hear of a booking that
            no longer exists.
          </span>
        </label>
      </div>
      <Field
        id="wh-max_age_hours"
        label="Age limit in hours (optional)"
        error={errors.max_age_hours}
        hint="A notification older than this is not retried any more. Blank: retried for about two days."
      >
        {(p) => (
          <input
            {...p}
            inputMode="numeric"
            className="short"
            value={values.max_age_hours}
            onChange={(e) => set('max_age_hours', e.target.value)}
          />
        )}
      </Field>
    </details>
  );
}
