// Chapter 1, what a distributed system is: the four challenges and the eight fallacies of
// distributed computing (Deutsch 1994, Gosling 1997), each as a small seeded experiment with a trace.

export {
  type ConfigDriftOptions,
  type ConfigDriftResult,
  type HeartbeatMessage,
  type Suspicion,
  type TimeoutSource,
  runConfigDriftExperiment,
} from "./administrator.js";
export {
  type BandwidthOptions,
  type BandwidthPhase,
  type BandwidthResult,
  type ChunkDelivery,
  type ChunkMessage,
  runBandwidthExperiment,
} from "./bandwidth.js";
export {
  type CounterMessage,
  type IncrementMode,
  type LostUpdateOptions,
  type LostUpdateResult,
  runLostUpdateExperiment,
} from "./concurrency.js";
// sha256 and toHex stay inside the folder: generic names that other chapters may want to own.
export { type BytesOrText, constantTimeEqual, hmacSha256, hmacSha256Hex } from "./hmac.js";
export {
  type Currency,
  type MixedVersionMode,
  type MixedVersionOptions,
  type MixedVersionResult,
  type VersionedMessage,
  runMixedVersionExperiment,
} from "./homogeneous.js";
export {
  type TimeoutChoice,
  type TimeoutMessage,
  type TimeoutOptions,
  type TimeoutPhase,
  type TimeoutResult,
  runTimeoutExperiment,
} from "./latency.js";
export {
  type ClockSkewMessage,
  type ClockSkewOptions,
  type ClockSkewResult,
  type ClockedEvent,
  runClockSkewExperiment,
} from "./no-global-clock.js";
export {
  type CallMessage,
  PARTIAL_FAILURE_FAULTS,
  type PartialFailureComparison,
  type PartialFailureFault,
  type PartialFailureOptions,
  type PartialFailureResult,
  comparePartialFailures,
  runPartialFailureExperiment,
} from "./partial-failure.js";
export {
  type IdempotencyKeys,
  type PaymentDistribution,
  type PaymentMessage,
  type PaymentOptions,
  type PaymentResult,
  type PaymentSeedsOptions,
  runPaymentExperiment,
  runPaymentSeeds,
} from "./reliable.js";
export {
  type IntegrityMode,
  type TamperOptions,
  type TamperResult,
  type TransferMessage,
  runTamperExperiment,
  transferSigningText,
} from "./secure.js";
export {
  type RoutedRequest,
  type TopologyMessage,
  type TopologyOptions,
  type TopologyResult,
  type ViewRefresh,
  runTopologyExperiment,
} from "./topology.js";
export {
  type TransportCostModel,
  type TransportCostOptions,
  type TransportCostResult,
  type TransportItem,
  type TransportMessage,
  type TransportMode,
  runTransportCostExperiment,
} from "./transport.js";
export { type ExperimentRun, fallacyLabel } from "./types.js";
export {
  type NumberedMessage,
  type UnreliableNetworkOptions,
  type UnreliableNetworkResult,
  runUnreliableNetworkExperiment,
} from "./unreliable-network.js";
export { type ChallengeEntry, type FallacyEntry, CHALLENGES, FALLACIES } from "./catalogue.js";
