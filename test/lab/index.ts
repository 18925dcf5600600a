// The switchover lab: real PostgreSQL / MariaDB servers, a DNS server and per-instance proxies that imitate an
// RDS Blue/Green switchover on loopback addresses. See README.md.
export { startLab, type Lab, type StartLabOptions } from './start-lab.js'
export { runScenario, labTarget, type ScenarioOptions, type ScenarioResult } from './scenario.js'
export { analyze, PHASE_EVENTS, type AnalyzeInput, type LabMetrics } from './analyze.js'
export { startWorkload, type OpRecord, type Workload, type WorkloadOptions } from './workload.js'
export { resolveTimeline, type SwitchoverOptions, type SwitchoverResult } from './orchestrator.js'
export {
  PRESETS,
  appendixATrace,
  lateRenameTrace,
  replayTimeline,
  type ReplayOptions,
  type PresetName,
  type RecordedEvent,
  type SwitchoverTimeline,
} from './presets.js'
export { METADATA_PROFILES, type MetadataProfile } from './metadata.js'
export {
  labLookup,
  createLabLookup,
  resolverMode,
  type LabLookupFunction,
  type LabResolverMode,
} from './lab-lookup.js'
export { loadLabClient, registerLabClient } from './clients/registry.js'
export type {
  LabClient,
  LabClientFactory,
  LabClientModule,
  LabClientTarget,
  LabInstance,
} from './clients/types.js'
export { errorCode } from './clients/errors.js'
export { pgLookupStream, mysqlLookupStream } from './clients/inject-stream.js'
export { addressPlan, type AddressPlan, type LabEngineName, type LabSide } from './address-plan.js'
export { labNames, type LabNames, type LabTopology } from './names.js'
export type { BlockMode, InstanceProxy, ProxyAcceptEntry } from './proxy.js'
export type { DnsLogEntry, LabDns } from './dns-server.js'
export type { LabEvent } from './event-log.js'
export { LabError, type LabErrorCode } from './errors.js'
export { formatScenario, scenarioJson } from './report.js'
export { startMetadataPoller, statusSequence, metadataQuery, type MetadataSample } from './poller.js'
