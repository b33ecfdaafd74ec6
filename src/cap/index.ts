// CAP on the simulator: a CP quorum counter, AP counters (naive last-write-wins and CRDTs).
// Public face of src/cap (Brewer 2000; Gilbert and Lynch 2002; Shapiro et al. 2011).

export {};
