// A message that survives one navigation ("Webhook added.") and is shown once.
export interface Flash {
  text: string;
  secret?: string;
}

let pending: Flash | undefined;

export const setFlash = (flash: Flash): void => {
  pending = flash;
};
export const peekFlash = (): Flash | undefined => pending;
export const clearFlash = (): void => {
  pending = undefined;
};
