// Public face of src/consistency/causal (filled in by issue 5).

export {};
