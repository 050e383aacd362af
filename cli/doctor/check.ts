/** One finding of `zoho-tokens doctor`: what was checked, the verdict, and what to fix, in words. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly message: string;
  readonly fix?: string;
}

export const ok = (name: string, message: string): Check => ({ name, status: 'ok', message });
export const warn = (name: string, message: string, fix?: string): Check => ({
  name,
  status: 'warn',
  message,
  ...(fix === undefined ? {} : { fix }),
});
export const fail = (name: string, message: string, fix?: string): Check => ({
  name,
  status: 'fail',
  message,
  ...(fix === undefined ? {} : { fix }),
});

/** The error's name, for a verdict; AWS and our own error messages never carry secret values. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** Runs `check`, turning an unexpected error into a failed check instead of stopping the doctor. */
export async function guarded(name: string, check: () => Promise<Check | Check[]>): Promise<Check[]> {
  try {
    const result = await check();
    return Array.isArray(result) ? result : [result];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [fail(name, `could not be checked: ${errorName(error)}: ${message}`)];
  }
}
