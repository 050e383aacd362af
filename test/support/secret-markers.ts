/**
 * Every secret a test uses or the Zoho simulator mints carries one of these markers, so a scan of
 * captured output can tell a leaked secret from ordinary text.
 */
export const SECRET_MARKERS = ['test-at-', 'test-rt-', 'test-cs-', 'sim-at-', 'sim-rt-', 'sim-cs-'] as const;

/** The captured lines that contain a secret marker. */
export function findSecretLeaks(lines: readonly string[]): string[] {
  return lines.filter((line) => SECRET_MARKERS.some((marker) => line.includes(marker)));
}
