// Public API of homecloud-deploy: every export by name.
export { definePlay, definePlaybook, defineRole, z, zSecret } from "./playbook/define.js";
export { RunFact } from "./playbook/fact.js";
export type { HostContext, Play, Playbook, RoleDefinition, RoleFactory, RoleInstance } from "./playbook/define.js";

export { file } from "./resources/files/file.js";
export type { FileOptions } from "./resources/files/file.js";
export { directory } from "./resources/files/directory.js";
export type { DirectoryOptions } from "./resources/files/directory.js";
export { line } from "./resources/files/line.js";
export type { LineOptions } from "./resources/files/line.js";
export { permissions } from "./resources/files/permissions.js";
export type { PermissionsOptions } from "./resources/files/permissions.js";
export { template, renderText } from "./resources/files/template.js";
export { apt } from "./resources/packages/apt.js";
export type { AptOptions } from "./resources/packages/apt.js";
export { service } from "./resources/services/service.js";
export type { ServiceOptions } from "./resources/services/service.js";
export { sysctl } from "./resources/system/sysctl.js";
export type { SysctlOptions } from "./resources/system/sysctl.js";
export { command } from "./resources/commands/command.js";
export type { CommandOptions } from "./resources/commands/command.js";

export { interfaceAddresses } from "./resources/network/addresses.js";
export { resolvers } from "./resources/network/resolvers.js";
export type { ResolversOptions } from "./resources/network/resolvers.js";
export { uplinkAcceptRa } from "./resources/network/accept-ra.js";
export type { UplinkAcceptRaOptions } from "./resources/network/accept-ra.js";
export type { InterfaceAddressesOptions } from "./resources/network/addresses.js";
export { nftTable } from "./resources/nftables/table.js";
export { ufwOpenings, ufwRules } from "./resources/nftables/ufw.js";
export type { UfwOpeningsOptions } from "./resources/nftables/ufw.js";
export { firewalldRefused } from "./resources/nftables/firewalld.js";
export {
  firewalldOpenings,
  firewalldProbe,
  firewalldDiffers,
  parseFirewalld,
} from "./resources/nftables/firewalld-openings.js";
export type { NftTableOptions } from "./resources/nftables/table.js";
export { rtxTunnel } from "./resources/rtx/l2tpv3.js";
export type { RtxTunnelOptions } from "./resources/rtx/l2tpv3.js";
export { softether, FORWARD_SECRET_CIPHERS } from "./resources/softether/server.js";
export { softetherSeed, softetherSeedConfig, SOFTETHER_CONFIG } from "./resources/softether/seed.js";
export type { SoftEtherSpec, HubSpec, UserSpec, CascadeSpec, BridgeSpec } from "./resources/softether/server.js";

export { handler, restartService, reloadService, daemonReload } from "./engine/handlers.js";
export { task } from "./engine/types.js";
export { keys } from "./engine/keys.js";
export { probeText, tableRead } from "./engine/read-tables.js";
export type { Probe } from "./engine/read-tables.js";
export type { Key } from "./engine/keys.js";
export type {
  Content,
  ContentInput,
  FileDiff,
  Handler,
  ProbeContext,
  ProbeSpeed,
  Resource,
  Step,
  Task,
  TaskOptions,
} from "./engine/types.js";

export { secret, isSecret, Secret, redact, reveal } from "./secrets.js";
export { quote, commandLine } from "./transport/quote.js";
export type { Hop, VerifyCheck, CheckOutput, Verdict } from "./playbook/checks.js";
export { unitActive, pingCheck, tcpCheck, vpncmdScript, addressesCheck } from "./verify/probes.js";
export { runVerify } from "./verify/run.js";
export { renderSketch } from "./output/sketch.js";
export type { Sketch, SketchNode, SketchLink, SketchCheck, HopRef } from "./output/sketch.js";
export type { VerifyReport, CheckResult, VerifyOptions } from "./verify/run.js";

export { loadInventory, parseInventory } from "./inventory/load.js";
export type { Host, Inventory } from "./inventory/types.js";
export { runPlaybook, prepareRun } from "./engine/run.js";
export type { RunOptions, RunSummary } from "./engine/run.js";
export type { TaskResult, TaskStatus, HostRecap } from "./engine/results.js";
export { EXIT } from "./engine/results.js";
export { DeployError, InputError, formatError } from "./errors.js";
export type { Problem } from "./errors.js";
