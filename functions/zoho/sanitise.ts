/**
 * Makes text Zoho sent us safe to put into an error message: Zoho may echo what we sent (a refresh
 * token, a client secret, a code) and an attacker-controlled answer may carry anything.
 */

const ZOHO_TOKEN_SHAPE = /\b1000\.[A-Za-z0-9]{8,}\.[A-Za-z0-9]{8,}\b/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** Secrets shorter than this are not searched for: they would match ordinary words. */
const MIN_REDACTED_LENGTH = 4;

/**
 * Replaces known secrets (in any letter case: a URL host comes back in lower case) and anything
 * shaped like a Zoho token, turns control characters into spaces and caps the length. Secrets are
 * searched for before and after the control characters are replaced, so neither `ab\ncd` for a
 * secret `ab cd` nor the reverse slips through; redaction runs before the cap, so a cut never
 * leaves part of a secret behind.
 */
export function sanitise(text: string, redact: readonly string[], maxLength: number): string {
  const secrets = redact
    .filter((secret) => secret.length >= MIN_REDACTED_LENGTH)
    .map((secret) => new RegExp(secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'));
  const withoutSecrets = (value: string) =>
    secrets.reduce((safe, secret) => safe.replace(secret, '[redacted]'), value);
  const safe = withoutSecrets(withoutSecrets(text).replace(CONTROL, ' '))
    .replace(ZOHO_TOKEN_SHAPE, '[redacted]')
    .trim();
  return safe.length > maxLength ? `${safe.slice(0, maxLength)}…` : safe;
}
