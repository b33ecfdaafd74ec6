// Public face of src/consistency/replication (filled in by issue 5).

export {};
