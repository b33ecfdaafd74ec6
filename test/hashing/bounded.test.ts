// BoundedLoadRing: no node ever holds more than ceil((1 + epsilon) x keys / nodes) keys; keys
// that find their node full walk clockwise to the next node with room.
// Reference: Mirrokni, Thorup and Zadimoghaddam, "Consistent Hashing with Bounded Loads", SODA 2018.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoundedLoadRing, ConsistentHashRing, sampleKeys } from "../../src/index.js";
import { assertProperty } from "../support/property.js";
import { expectRangeError } from "./support.js";

/** The paper's assignment, computed from scratch: keys in order, first node clockwise with room. */
function referenceAssignment(
  nodes: readonly string[],
  keys: readonly string[],
  epsilon: number,
  vnodes: number,
): Map<string, string> {
  const ring = new ConsistentHashRing({ vnodes, nodes });
  const capacity = Math.ceil(((1 + epsilon) * keys.length) / nodes.length);
  const loads = new Map<string, number>(nodes.map((n) => [n, 0]));
  const result = new Map<string, string>();
  for (const key of keys) {
    const walk = ring.getNodes(key, nodes.length);
    const node = walk.find((n) => (loads.get(n) as number) < capacity) as string;
    loads.set(node, (loads.get(node) as number) + 1);
    result.set(key, node);
  }
  return result;
}

type Operation =
  | { kind: "addKeys"; count: number }
  | { kind: "removeKey"; pick: number }
  | { kind: "addNode"; name: string }
  | { kind: "removeNode"; pick: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant("addKeys" as const), count: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ kind: fc.constant("removeKey" as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant("addNode" as const),
    name: fc.string({ minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant("removeNode" as const), pick: fc.nat() }),
);

describe("§2 bounded loads", () => {
  it("after any sequence of key and node changes, no node holds more than capacity keys, and the assignment is the paper's", () => {
    assertProperty(
      fc.property(
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(operation, { maxLength: 25 }),
        (epsilon, vnodes, operations) => {
          const ring = new BoundedLoadRing({ epsilon, vnodes, nodes: ["a", "b"] });
          const keys: string[] = [];
          let next = 0;
          for (const op of operations) {
            if (op.kind === "addKeys") {
              for (let i = 0; i < op.count; i++) {
                const key = `key-${next++}`;
                keys.push(key);
                // Alternate the two ways in: one at a time (placed at once) and in bulk.
                if (i % 2 === 0) ring.addKey(key);
                else ring.addKeys([key]);
              }
            } else if (op.kind === "removeKey" && keys.length > 0) {
              const [key] = keys.splice(op.pick % keys.length, 1);
              ring.removeKey(key as string);
            } else if (op.kind === "addNode" && !ring.hasNode(op.name)) {
              ring.addNode(op.name);
            } else if (op.kind === "removeNode" && ring.size > 1) {
              const nodes = ring.nodes();
              ring.removeNode(nodes[op.pick % nodes.length] as string);
            }
            const loads = ring.loads().map((l) => l.load);
            expect(Math.max(...loads)).toBeLessThanOrEqual(ring.capacity);
            expect(loads.reduce((a, b) => a + b, 0)).toBe(keys.length);
          }
          expect(ring.assignment()).toEqual(
            referenceAssignment(ring.nodes(), keys, epsilon, vnodes),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it("capacity is ceil((1 + epsilon) x keys / nodes)", () => {
    const ring = new BoundedLoadRing({ epsilon: 0.25, nodes: ["a", "b", "c"] }).addKeys(
      sampleKeys(1000),
    );
    expect(ring.capacity).toBe(417);
    expect(ring.keysCount).toBe(1000);
    expect(Math.max(...ring.loads().map((l) => l.load))).toBeLessThanOrEqual(417);
  });

  it("with epsilon 0 no node holds more than ceil(mean), even with 4 points per node", () => {
    const ring = new BoundedLoadRing({ epsilon: 0, vnodes: 4, nodes: ["a", "b", "c", "d"] });
    ring.addKeys(sampleKeys(1001));
    const loads = ring.loads().map((l) => l.load);
    expect(ring.capacity).toBe(251);
    expect(Math.max(...loads)).toBe(251);
    expect(loads.reduce((a, b) => a + b, 0)).toBe(1001);
  });

  it("a key whose node has room stays where the plain ring puts it", () => {
    const plain = new ConsistentHashRing({ nodes: ["a", "b", "c"] });
    const bounded = new BoundedLoadRing({ epsilon: 10, nodes: ["a", "b", "c"] }).addKeys(
      sampleKeys(500),
    );
    for (const key of sampleKeys(500)) expect(bounded.getNode(key)).toBe(plain.getNode(key));
  });
});

describe("errors", () => {
  it("a bad epsilon, an unknown key, adding a key with no nodes", () => {
    expectRangeError(
      () => new BoundedLoadRing({ epsilon: -0.1 }),
      "epsilon must be a finite number >= 0, got -0.1",
    );
    const ring = new BoundedLoadRing({ nodes: ["a"] });
    expectRangeError(
      () => ring.getNode("k"),
      'key "k" is not on the ring; add it with addKey(key) first',
    );
    expectRangeError(
      () => ring.removeKey("k"),
      'key "k" is not on the ring; add it with addKey(key) first',
    );
    expectRangeError(
      () => new BoundedLoadRing().addKey("k"),
      'cannot place key "k": the ring has no nodes; add one with addNode(node) first',
    );
  });

  it("keys are kept when the last node leaves, and placed again when one returns", () => {
    const ring = new BoundedLoadRing({ nodes: ["a"] }).addKeys(["k1", "k2"]);
    ring.removeNode("a");
    expectRangeError(
      () => ring.getNode("k1"),
      'cannot place key "k1": the ring has no nodes; add one with addNode(node) first',
    );
    ring.addNode("b");
    expect(ring.getNode("k1")).toBe("b");
  });
});
