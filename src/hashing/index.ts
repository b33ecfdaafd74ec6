// Partitioning with hashing: public face of src/hashing. Modulo, consistent hashing with virtual
// nodes (Karger et al. 1997), ketama, jump hash, rendezvous hashing and bounded loads, with the
// metrics, experiments, diagrams and pitfalls of the chapter.

export { type HashOption, BUCKETS_MAX, modHash } from "./hash.js";
export { HASH64_LOW_SEED, fmix32, hash64, murmur3 } from "./murmur3.js";
export { MD5_BYTES, type Md5Hasher, createMd5, md5, md5Hex, md5Word, toHexString } from "./md5.js";
export { type NodeShare, RING_POSITIONS, type RingPoint, type RingView } from "./core.js";
export {
  type AddNodeOptions,
  ConsistentHashRing,
  type ConsistentHashRingOptions,
  PointRing,
  VNODES_DEFAULT,
  pointLabel,
} from "./ring.js";
export { KETAMA_HASHES_PER_SERVER, KetamaRing, type KetamaRingOptions } from "./ketama.js";
export { jumpHash } from "./jump.js";
export { RendezvousHash, type RendezvousHashOptions, type RendezvousScore } from "./rendezvous.js";
export {
  BoundedLoadRing,
  type BoundedLoadRingOptions,
  EPSILON_DEFAULT,
  type NodeLoad,
} from "./bounded.js";
export {
  type KeyPlacer,
  type LoadCounts,
  type LoadStats,
  type Placement,
  countLoads,
  loadStats,
  movedFraction,
  sampleKeys,
} from "./metrics.js";
export {
  type BoundedLoadRow,
  type BoundedLoadTable,
  type BoundedLoadTableOptions,
  type LoadSpreadOptions,
  type LoadSpreadRow,
  type RemapRow,
  type RemapTableOptions,
  type ReplicaChange,
  type ReplicationOptions,
  type ReplicationResult,
  boundedLoadTable,
  loadSpreadTable,
  nodeNames,
  remapTable,
  replicationExperiment,
} from "./experiments.js";
export {
  type RingFlowchartOptions,
  type RingPieOptions,
  loadSpreadChart,
  remapChart,
  ringFlowchart,
  ringPie,
} from "./diagram.js";
export {
  type AbsHashCodePitfall,
  type HasherSharing,
  type HasherTask,
  KETAMA_COLLIDING_SERVERS,
  KETAMA_COLLISION_POSITION,
  type KetamaCollisionPitfall,
  type SharedHasherRaceOptions,
  type SharedHasherRaceResult,
  absHashCodePitfall,
  expectedPointCollisions,
  javaMathAbs,
  javaStringHashCode,
  ketamaCollisionPitfall,
  naiveJavaBucket,
  sharedHasherRace,
} from "./pitfalls.js";
