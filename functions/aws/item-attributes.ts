/**
 * Hand-written DynamoDB attribute marshalling: the project does not ship @aws-sdk/util-dynamodb,
 * and the few attribute types the table uses are easier to read spelled out than converted.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CorruptStoredItemError } from './errors';

/** A DynamoDB item in the low-level client's wire shape. */
export type Item = Record<string, AttributeValue>;

/** A string attribute value. */
export const str = (value: string): AttributeValue => ({ S: value });

/** A number attribute value; DynamoDB carries numbers as decimal strings. */
export const num = (value: number): AttributeValue => ({ N: String(value) });

/** Reads typed attributes off an item and names the item and attribute when one is wrong. */
export class ItemReader {
  readonly #item: Item;
  readonly #what: string;

  constructor(item: Item, what: string) {
    this.#item = item;
    this.#what = what;
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw this.#corrupt(name, 'a string');
    return value;
  }

  optionalString(name: string): string | undefined {
    const attribute = this.#item[name];
    if (attribute === undefined) return undefined;
    if (attribute.S === undefined) throw this.#corrupt(name, 'a string');
    return attribute.S;
  }

  number(name: string): number {
    const value = this.optionalNumber(name);
    if (value === undefined) throw this.#corrupt(name, 'a number');
    return value;
  }

  optionalNumber(name: string): number | undefined {
    const attribute = this.#item[name];
    if (attribute === undefined) return undefined;
    return toNumber(attribute, () => this.#corrupt(name, 'a number'));
  }

  numberList(name: string): number[] {
    const attribute = this.#item[name];
    if (attribute === undefined) return [];
    if (attribute.L === undefined) throw this.#corrupt(name, 'a list of numbers');
    return attribute.L.map((element) => toNumber(element, () => this.#corrupt(name, 'a list of numbers')));
  }

  /** A nested map, read with the same checks. */
  optionalMap(name: string): ItemReader | undefined {
    const attribute = this.#item[name];
    if (attribute === undefined) return undefined;
    if (attribute.M === undefined) throw this.#corrupt(name, 'a map');
    return new ItemReader(attribute.M, `${this.#what}.${name}`);
  }

  /** A string attribute that must be one of `allowed`. */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.string(name);
    if (!(allowed as readonly string[]).includes(value))
      throw this.#corrupt(name, `one of ${allowed.join(', ')}`);
    return value as T;
  }

  #corrupt(name: string, expected: string): CorruptStoredItemError {
    return new CorruptStoredItemError(this.#what, `attribute '${name}' is missing or not ${expected}`);
  }
}

function toNumber(attribute: AttributeValue, corrupt: () => Error): number {
  const value = attribute.N === undefined ? Number.NaN : Number(attribute.N);
  if (!Number.isFinite(value)) throw corrupt();
  return value;
}
