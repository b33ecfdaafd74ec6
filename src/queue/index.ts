// Message queues and logs: public face of src/queue. The partitioned log, broker, producers and
// consumer groups (Kafka's model), delivery-guarantee experiments, a work queue (SQS and RabbitMQ
// style), partitioners, assignors and partition replication on the simulator.

export * from "./types.js";
export * from "./work-queue.js";
export * from "./partitioner.js";
export * from "./assignors.js";
export * from "./replication.js";
export { PartitionLog, type PartitionLogOptions, SEGMENT_RECORDS_DEFAULT } from "./log.js";
export {
  Broker,
  type BrokerOptions,
  type PartitionLogSummary,
  type TopicDescription,
  TOPIC_PARTITIONS_MAX,
} from "./broker.js";
export { Producer, type ProducerOptions, PRODUCER_RETRIES_MAX } from "./producer.js";
export * from "./group.js";
export * from "./guarantees.js";
export { type PerKeyOrderOptions, type PerKeyOrderResult, perKeyOrderRun } from "./ordering.js";
export * from "./diagrams.js";
