// Time and order: Lamport clocks, vector clocks, version vectors and hybrid logical clocks.
// Public face of src/clocks (Lamport 1978; Fidge and Mattern 1988; Kulkarni et al. 2014).

export {};
