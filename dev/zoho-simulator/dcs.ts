/** The Zoho data centres the simulator serves, each on local origins of its own (ZOHO.md §4). */
export const SIM_DCS = ['us', 'eu', 'in', 'au', 'jp', 'ca', 'sa', 'uk', 'cn'] as const;
export type SimDc = (typeof SIM_DCS)[number];

export function isSimDc(value: string): value is SimDc {
  return (SIM_DCS as readonly string[]).includes(value);
}

/** Fails loudly on a data centre the simulator does not know: a typo in a test must not pass silently. */
export function assertSimDc(value: string): SimDc {
  if (!isSimDc(value)) throw new Error(`unknown Zoho data centre ${JSON.stringify(value)}`);
  return value;
}

/** A stable organisation id per data centre, so tests can assert on it. */
export function organizationIdOf(dc: SimDc): string {
  return String(700_000_000 + SIM_DCS.indexOf(dc));
}
