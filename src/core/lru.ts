/**
 * A bounded map that forgets the least recently used entry first (a Map keeps insertion order, so
 * a hit is moved to the end and the first key is the eviction candidate).
 */
export class Lru<K, V> {
  readonly max: number;
  #map = new Map<K, V>();

  constructor(max: number) {
    if (!(max >= 1)) throw new Error("Lru needs room for at least one entry");
    this.max = max;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as K);
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}
