// Diagrams and tables of consensus runs for the chapter (Paxos phases and duels, Raft logs, Figure 8
// and role timelines); kept apart from the protocol code, which they only read.

export {
  type PaxosDuelRow,
  type PaxosPhaseDiagramOptions,
  paxosDuelRows,
  paxosMessageLabel,
  paxosPhaseDiagram,
  paxosPhaseEvents,
} from "./paxos/diagram.js";
export {
  type RaftFigure8Run,
  type RaftFigure8Snapshot,
  type RaftLogRow,
  type RaftRoleSpan,
  RaftRoleTimeline,
  raftFigure8WithLogs,
  raftLogRows,
} from "./raft/diagram.js";
