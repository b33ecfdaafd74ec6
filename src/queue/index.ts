// Message queues and logs: public face of src/queue. The work queue (SQS and RabbitMQ style) and
// the shared record shapes, partitioners, assignors and partition replication on the simulator.

export * from "./types.js";
export * from "./work-queue.js";
export * from "./partitioner.js";
export * from "./assignors.js";
export * from "./replication.js";
