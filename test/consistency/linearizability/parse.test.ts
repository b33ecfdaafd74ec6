// Parsers of the Porcupine corpus: EDN-like key-value lines and Jepsen etcd logs, with Jepsen's
// outcome conventions (:ok, :fail, :info, missing return). Reference: Porcupine test_data/README.

import { describe, expect, it, vi } from "vitest";
import {
  eventsToOperations,
  parseJepsenEtcdLog,
  parsePorcupineKvHistory,
  readPorcupineFile,
} from "../../../src/consistency/linearizability/index.js";

describe("Porcupine key-value lines", () => {
  it("pairs invokes and returns by process and reads the value of a get", () => {
    const text = [
      '{:process 0, :type :invoke, :f :put, :key "k", :value "a"}',
      '{:process 1, :type :invoke, :f :get, :key "k", :value nil}',
      '{:process 0, :type :ok, :f :put, :key "k", :value "a"}',
      '{:process 1, :type :ok, :f :get, :key "k", :value "a"}',
    ].join("\n");
    const events = parsePorcupineKvHistory(text);
    expect(eventsToOperations(events)).toEqual([
      {
        clientId: 0,
        input: { op: "put", key: "k", value: "a" },
        call: 0,
        output: { status: "ok" },
        return: 2,
      },
      {
        clientId: 1,
        input: { op: "get", key: "k" },
        call: 1,
        output: { status: "ok", value: "a" },
        return: 3,
      },
    ]);
  });

  it("returns an operation never completed at the end, with an unknown outcome", () => {
    const text = [
      '{:process 3, :type :invoke, :f :append, :key "k", :value "x"}',
      '{:process 4, :type :invoke, :f :get, :key "k", :value nil}',
      '{:process 4, :type :ok, :f :get, :key "k", :value ""}',
    ].join("\n");
    const events = parsePorcupineKvHistory(text);
    expect(events.at(-1)).toEqual({
      clientId: 3,
      kind: "return",
      value: { status: "unknown" },
      id: 0,
    });
  });

  it("reads :fail as not taken effect and :info as unknown, returned at the end", () => {
    const text = [
      '{:process 0, :type :invoke, :f :put, :key "k", :value "a"}',
      '{:process 0, :type :info, :f :put, :key "k", :value "a"}',
      '{:process 1, :type :invoke, :f :put, :key "k", :value "b"}',
      '{:process 1, :type :fail, :f :put, :key "k", :value "b"}',
    ].join("\n");
    const operations = eventsToOperations(parsePorcupineKvHistory(text));
    expect(operations.map((op) => op.output)).toEqual([{ status: "unknown" }, { status: "fail" }]);
    expect(operations[0]?.return).toBe(3); // the last event: after the :fail
  });

  it("unescapes EDN strings", () => {
    const text = [
      '{:process 0, :type :invoke, :f :put, :key "a\\"b", :value "x\\\\y"}',
      '{:process 0, :type :ok, :f :put, :key "a\\"b", :value "x\\\\y"}',
    ].join("\n");
    const [call] = parsePorcupineKvHistory(text);
    expect(call?.value).toEqual({ op: "put", key: 'a"b', value: "x\\y" });
  });

  it("rejects a malformed line, naming its number", () => {
    expect(() => parsePorcupineKvHistory("\n{:process 0, :type :invoke}")).toThrow(/line 2/);
  });

  it("rejects a process that invokes twice without completing", () => {
    const text = [
      '{:process 0, :type :invoke, :f :get, :key "k", :value nil}',
      '{:process 0, :type :invoke, :f :get, :key "k", :value nil}',
    ].join("\n");
    expect(() => parsePorcupineKvHistory(text)).toThrow(/still open/);
  });
});

describe("Jepsen etcd logs", () => {
  const log = [
    "INFO  jepsen.util - 0\t:invoke\t:write\t3",
    "INFO  jepsen.util - 1   :invoke :read   nil",
    "INFO  jepsen.util - 1   :ok     :read   nil",
    "INFO  jepsen.util - 0\t:ok\t:write\t3",
    "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 4]",
    "INFO  jepsen.util - 2\t:fail\t:cas\t[3 4]",
    "INFO  jepsen.util - 3\t:invoke\t:cas\t[3 1]",
    "INFO  jepsen.util - 3\t:info\t:cas\t:timed-out",
    "INFO  jepsen.util - 4\t:invoke\t:read\tnil",
    "INFO  jepsen.util - 4\t:fail\t:read\t:timed-out",
    "INFO  jepsen.util - 5\t:invoke\t:write\t0",
  ].join("\n");

  it("reads writes, reads (nil is the empty register) and cas with tabs or spaces", () => {
    const operations = eventsToOperations(parseJepsenEtcdLog(log));
    expect(operations.slice(0, 3).map((op) => [op.input, op.output])).toEqual([
      [{ op: "write", value: 3 }, { status: "ok" }],
      [{ op: "read" }, { status: "ok", value: null }],
      [{ op: "cas", expected: 3, value: 4 }, { status: "fail" }],
    ]);
  });

  it(":info and a missing return are unknown outcomes returned at the end; a timed-out read returns in place", () => {
    const events = parseJepsenEtcdLog(log);
    const operations = eventsToOperations(events);
    const byClient = new Map(operations.map((op) => [op.clientId, op]));
    expect(byClient.get(3)?.output).toEqual({ status: "unknown" });
    expect(byClient.get(3)?.return).toBe(events.length - 2);
    expect(byClient.get(5)?.return).toBe(events.length - 1);
    expect(byClient.get(4)?.output).toEqual({ status: "unknown" });
    expect(byClient.get(4)?.return).toBe(8); // right after its call
  });

  it("rejects a line that is not a call or return", () => {
    expect(() => parseJepsenEtcdLog("INFO  jepsen.util - 0\t:invoke\t:write\tx")).toThrow(
      /value on line 1 must be an integer or nil/,
    );
    expect(() => parseJepsenEtcdLog("hello")).toThrow(/line 1 of the Jepsen etcd log/);
  });
});

describe("readPorcupineFile", () => {
  it("reads a corpus file from data/porcupine", async () => {
    const text = await readPorcupineFile("kv/c01-ok.txt");
    expect(text.startsWith("{:process 0, :type :invoke")).toBe(true);
  });

  it("in a browser (no Node process) it fetches /porcupine/<path> from the site", async () => {
    const fetched: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      fetched.push(url);
      return new Response("served text");
    });
    vi.stubGlobal("process", undefined);
    let text: Promise<string>;
    try {
      // The environment is read and fetch is called before the first await.
      text = readPorcupineFile("jepsen/etcd_002.log");
    } finally {
      vi.unstubAllGlobals();
    }
    expect(await text).toBe("served text");
    expect(fetched).toEqual(["/porcupine/jepsen/etcd_002.log"]);
  });

  it("rejects paths that leave the corpus", async () => {
    await expect(readPorcupineFile("../package.json")).rejects.toThrow(/relativePath must be/);
    await expect(readPorcupineFile("/etc/passwd")).rejects.toThrow(/relativePath must be/);
  });
});
