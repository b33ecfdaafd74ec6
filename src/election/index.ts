// Leader election: public face of src/election. Raft-based election, and lease-based election with
// fencing tokens (Gray and Cheriton, "Leases", SOSP 1989; Kleppmann 2016 on fencing).

export {
  FencedResource,
  type FencedWrite,
  LeaseCandidate,
  type LeaseMessage,
  type LeaseRecord,
  LeaseStore,
  LeaseTable,
  leaseUsableMs,
} from "./lease.js";
export {
  LEASE_RESOURCE_ID,
  LEASE_STORE_ID,
  LeaseElection,
  type LeaseElectionCounts,
  type LeaseElectionOptions,
  type LeaseFailover,
  type LeaseScenarioResult,
  leaseClassicFailure,
  leaseClockDrift,
} from "./lease-election.js";
export {
  RaftElection,
  type RaftElectionFailover,
  type RaftElectionOptions,
  type RaftElectionPartition,
} from "./raft-election.js";
