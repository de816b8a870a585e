import type { Endpoint } from "../endpoint";
import {
  alertHistoryEndpoint,
  createAlertChannelEndpoint,
  createAlertRuleEndpoint,
  createConnectionEndpoint,
  deleteAlertChannelEndpoint,
  deleteAlertRuleEndpoint,
  deleteConnectionEndpoint,
  listAlertChannelsEndpoint,
  listAlertRulesEndpoint,
  listConnectionsEndpoint,
  testAlertChannelEndpoint,
  testConnectionEndpoint,
  updateAlertRuleEndpoint,
  updateConnectionEndpoint,
} from "./alerts";
import { exportAuditEndpoint, listAuditEndpoint } from "./audit";
import {
  controlRoomEndpoint,
  createControlRoomShareEndpoint,
  createShareEndpoint,
  listControlRoomSharesEndpoint,
  listSharesEndpoint,
  pipelineDashboardEndpoint,
  revokeShareEndpoint,
} from "./dashboards";
import { getLineageEndpoint } from "./lineage";
import {
  createInvitationEndpoint,
  listInvitationsEndpoint,
  listMembersEndpoint,
  removeMemberEndpoint,
  revokeInvitationEndpoint,
  setMemberRoleEndpoint,
} from "./members";
import { recordLineageFacetEndpoint } from "./openlineage";
import {
  applyQuarantineFixEndpoint,
  discardQuarantinedEndpoint,
  editQuarantinedRecordEndpoint,
  exportQuarantineEndpoint,
  getQuarantinedRecordEndpoint,
  previewQuarantineFixEndpoint,
  quarantineGroupsEndpoint,
  reingestEndpoint,
  searchQuarantineEndpoint,
} from "./quarantine";
import { createPipelineEndpoint, getPipelineEndpoint, listPipelinesEndpoint, startRunEndpoint, updatePipelineEndpoint } from "./pipelines";
import { cancelRunEndpoint, getRunEndpoint, listRunsEndpoint, listRunQuarantineEndpoint, retryRunEndpoint } from "./runs";
import {
  deleteScheduleEndpoint,
  getDependenciesEndpoint,
  getScheduleEndpoint,
  previewScheduleEndpoint,
  putDependenciesEndpoint,
  putScheduleEndpoint,
} from "./schedules";
import { createSamplePipelineEndpoint } from "./samples";
import { getSettingsEndpoint, setRetentionEndpoint, whoAmIEndpoint } from "./settings";
import { createTokenEndpoint, listTokensEndpoint, revokeTokenEndpoint } from "./tokens";
import { createUploadEndpoint } from "./uploads";
import { deleteWebhookEndpoint, getWebhookEndpoint, setupWebhookEndpoint, webhookTriggerEndpoint } from "./webhooks";

/** The public API, one entry per endpoint; the router and openapi.json both read this table. */
export const endpoints: readonly Endpoint[] = [
  createUploadEndpoint,
  listPipelinesEndpoint,
  createPipelineEndpoint,
  getPipelineEndpoint,
  updatePipelineEndpoint,
  startRunEndpoint,
  createSamplePipelineEndpoint,
  listRunsEndpoint,
  getRunEndpoint,
  cancelRunEndpoint,
  retryRunEndpoint,
  listRunQuarantineEndpoint,
  getScheduleEndpoint,
  putScheduleEndpoint,
  deleteScheduleEndpoint,
  previewScheduleEndpoint,
  getDependenciesEndpoint,
  putDependenciesEndpoint,
  getWebhookEndpoint,
  setupWebhookEndpoint,
  deleteWebhookEndpoint,
  searchQuarantineEndpoint,
  quarantineGroupsEndpoint,
  exportQuarantineEndpoint,
  getQuarantinedRecordEndpoint,
  editQuarantinedRecordEndpoint,
  previewQuarantineFixEndpoint,
  applyQuarantineFixEndpoint,
  discardQuarantinedEndpoint,
  reingestEndpoint,
  getLineageEndpoint,
  recordLineageFacetEndpoint,
  createConnectionEndpoint,
  listConnectionsEndpoint,
  updateConnectionEndpoint,
  deleteConnectionEndpoint,
  testConnectionEndpoint,
  createAlertChannelEndpoint,
  listAlertChannelsEndpoint,
  deleteAlertChannelEndpoint,
  testAlertChannelEndpoint,
  createAlertRuleEndpoint,
  listAlertRulesEndpoint,
  updateAlertRuleEndpoint,
  deleteAlertRuleEndpoint,
  alertHistoryEndpoint,
  listAuditEndpoint,
  exportAuditEndpoint,
  whoAmIEndpoint,
  listMembersEndpoint,
  setMemberRoleEndpoint,
  removeMemberEndpoint,
  listInvitationsEndpoint,
  createInvitationEndpoint,
  revokeInvitationEndpoint,
  listTokensEndpoint,
  createTokenEndpoint,
  revokeTokenEndpoint,
  getSettingsEndpoint,
  setRetentionEndpoint,
  pipelineDashboardEndpoint,
  controlRoomEndpoint,
  createShareEndpoint,
  listSharesEndpoint,
  createControlRoomShareEndpoint,
  listControlRoomSharesEndpoint,
  revokeShareEndpoint,
];

/** Endpoints mounted outside /api/v1 (each at its `mountedAt`), in the same OpenAPI document. */
export const hookEndpoints: readonly Endpoint[] = [webhookTriggerEndpoint];
