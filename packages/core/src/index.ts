// Domain services by slice. Each function takes one options object with its dependencies (db, redis…) and,
// for tenant data, the workspaceId; none reads the environment.
export { createDb, createSecretBox, type Db, type Role, type SecretBox, uuidv7 } from "@tributary/db";
export { createMessage, fieldSentences, type Message, type MessageHeader } from "@tributary/engine";
export { createJobQueue, createQueueConnection, FAIL_FAST_REDIS, type JobQueue } from "@tributary/queue";
export {
  ALERT_CHANNELS,
  ALERT_EVENTS,
  type AlertChannelName,
  type AlertDeliveryView,
  type AlertEventName,
  type AlertRuleView,
  alertRuleIdInput,
  createAlertRule,
  createAlertRuleInput,
  deleteAlertRule,
  listAlertDeliveries,
  listAlertRules,
  openAlertTarget,
  type SavedAlertRule,
  testAlertRule,
  updateAlertRule,
  updateAlertRuleInput,
} from "./alerts/alert-rules.ts";
export {
  type AlertWatch,
  alertOnBacklogs,
  alertOnRunEnded,
  alertOnTriggerFailing,
  alertWatches,
  retryAlert,
  sendAlertDigest,
  sendTestAlert,
} from "./alerts/raise-alerts.ts";
export { type AlertNotice, type AlertServices, alertTitle } from "./alerts/send-alert.ts";
export {
  API_KEY_ROLES,
  type ApiKeyView,
  apiKeyIdInput,
  createApiKey,
  createApiKeyInput,
  listApiKeys,
  revokeApiKey,
} from "./api-keys/api-keys.ts";
export {
  type ApiKeyPrincipal,
  apiKeyActor,
  authenticateApiKey,
  recordApiCall,
} from "./api-keys/authenticate-api-key.ts";
export { type KeyIdentity, keyIdentity } from "./api-keys/key-identity.ts";
export type { Actor } from "./audit/actor.ts";
export { listAuditEvents, listAuditEventsInput } from "./audit/list-audit-events.ts";
export { AUDIT_ACTIONS, type AuditAction } from "./audit/record-audit.ts";
export { changePassword, changePasswordInput } from "./auth/change-password.ts";
export {
  type AccountDeletionPlan,
  accountDeletionPlan,
  deleteAccount,
  deleteAccountInput,
} from "./auth/delete-account.ts";
export { DEVICE_COOKIE, DEVICE_TOKEN_DAYS, issueDeviceToken } from "./auth/device-token.ts";
export { emailSchema } from "./auth/email.ts";
export {
  assertEmailVerified,
  changeEmailInput,
  type EmailVerification,
  requestEmailChange,
  resendVerification,
  startEmailVerification,
  VERIFICATION_MAILS_PER_HOUR,
  verificationStatus,
  verifyEmail,
  verifyEmailInput,
} from "./auth/email-verification.ts";
export { hashPassword } from "./auth/password-hash.ts";
export { PASSWORD_MIN_LENGTH } from "./auth/password-policy.ts";
export {
  checkPasswordResetLink,
  issuePasswordResetLink,
  PASSWORD_RESET_LIMITS,
  requestPasswordReset,
  requestPasswordResetInput,
  resetPassword,
  resetPasswordInput,
} from "./auth/password-reset.ts";
export {
  currentUser,
  revokeAllSessions,
  revokeSession,
  type SessionClaims,
  type SessionUser,
} from "./auth/sessions.ts";
export { SIGN_IN_LIMITS } from "./auth/sign-in-limits.ts";
export { SECOND_FACTOR_NEEDED, WRONG_SECOND_FACTOR } from "./auth/sign-in-messages.ts";
export { signUp, signUpInput } from "./auth/sign-up.ts";
export {
  checkSecondFactor,
  confirmTwoFactor,
  confirmTwoFactorInput,
  disableTwoFactor,
  disableTwoFactorInput,
  RECOVERY_CODE_COUNT,
  startTwoFactor,
  type TwoFactorStatus,
  twoFactorStatus,
} from "./auth/two-factor.ts";
export {
  assertSignInAttemptAllowed,
  type SignInDevice,
  type VerifiedUser,
  verifyCredentials,
  WRONG_CREDENTIALS,
} from "./auth/verify-credentials.ts";
export {
  BUNDLE_FORMAT,
  type BundlePlanItem,
  type WorkspaceBundle,
  workspaceBundle,
} from "./bundles/bundle-format.ts";
export { exportBundle } from "./bundles/export-bundle.ts";
export { type BundleImportResult, importBundle, importBundleInput } from "./bundles/import-bundle.ts";
export { connectionIdInput, deleteConnection } from "./connections/delete-connection.ts";
export { type ConnectionSummary, listConnections } from "./connections/list-connections.ts";
export { loadConnection, type OpenedConnection } from "./connections/load-connection.ts";
export { saveConnection, saveConnectionInput } from "./connections/save-connection.ts";
export { testConnection } from "./connections/test-connection.ts";
export { type DeadLetterState, deadLetterState } from "./dead-letters/dead-letter-state.ts";
export { type DeadLetterToSend, deadLetterToSend } from "./dead-letters/dead-letter-to-send.ts";
export { type DeadLetterView, listDeadLetters, listDeadLettersInput } from "./dead-letters/list-dead-letters.ts";
export {
  deadLetterIdsInput,
  discardDeadLetters,
  replayAllDeadLetters,
  replayAllDeadLettersInput,
  replayDeadLetters,
} from "./dead-letters/replay-dead-letters.ts";
export { DEMO_IDLE_MS, deleteIdleDemos, touchDemo } from "./demo/demo-activity.ts";
export { DEMO_PLAN } from "./demo/demo-plan.ts";
export { keepDemo, keepDemoInput } from "./demo/keep-demo.ts";
export { type DemoVisitor, startDemo } from "./demo/start-demo.ts";
export { APP_ERROR_CODES, AppError, type AppErrorCode, HTTP_STATUS, notFound } from "./errors/app-error.ts";
export { isServiceUnavailable } from "./errors/service-unavailable.ts";
export {
  claimExport,
  type ExportSession,
  exportIdInput,
  exportProgress,
  startExport,
} from "./exports/export-session.ts";
export { EXPORT_FORMAT, type ExportProgress, exportFileName, exportWorkspace } from "./exports/export-workspace.ts";
export { listCallableFlows } from "./flows/callable-flows.ts";
export { createFlow, createFlowInput } from "./flows/create-flow.ts";
export { deleteFlow, deleteFlowInput } from "./flows/delete-flow.ts";
export { exportFlow, type FlowFile } from "./flows/export-flow.ts";
export {
  type FlowPins,
  flowPinsSchema,
  MAX_PINS_BYTES,
  type PinnedMessage,
  parsePins,
  saveFlowPins,
  savePinsInput,
} from "./flows/flow-pins.ts";
export type { FlowDetail, FlowListItem, FlowSummary } from "./flows/flow-views.ts";
export { getFlow } from "./flows/get-flow.ts";
export { listFlows, listFlowsInput } from "./flows/list-flows.ts";
export {
  type FlowVersionSummary,
  getFlowVersion,
  getVersionInput,
  listFlowVersions,
  listVersionsInput,
} from "./flows/list-versions.ts";
export { previewExpression, previewExpressionInput } from "./flows/preview-expression.ts";
export { CODE_STEP_TYPE, type CompiledSteps, checkGraph, publishFlow, publishFlowInput } from "./flows/publish-flow.ts";
export { setFlowStatus, setFlowStatusInput } from "./flows/set-flow-status.ts";
export { listSoapOperations, type SoapOperationView, soapOperationsInput } from "./flows/soap-operations.ts";
export { type ConnectionTypeEntry, connectionTypes, type PaletteEntry, stepTypes } from "./flows/step-types.ts";
export { testStep, testStepInput } from "./flows/test-step.ts";
export { saveDraftInput, saveFlowDraft, updateFlow, updateFlowInput } from "./flows/update-flow.ts";
export { validateGraph, validateGraphInput } from "./flows/validate-draft.ts";
export { checkHealth, type Health } from "./health/check-health.ts";
export { MAX_JSON_DEPTH, nestsDeeperThan } from "./input/json-depth.ts";
export { BodyTooLargeError, readBody } from "./input/read-body.ts";
export { acceptInvite, type InvitePreview, type InviteStatus, previewInvite } from "./invites/accept-invite.ts";
export { type CreatedInvite, createInvite, createInviteInput, INVITE_TTL_DAYS } from "./invites/create-invite.ts";
export { listPendingInvites, type PendingInvite } from "./invites/list-invites.ts";
export { revokeInvite, revokeInviteInput } from "./invites/revoke-invite.ts";
export { createMailer, type Mailer } from "./mail/mailer.ts";
export { changeRole, changeRoleInput } from "./members/change-role.ts";
export { listMembers, type MemberView } from "./members/list-members.ts";
export { removeMember, removeMemberInput } from "./members/remove-member.ts";
export {
  answerMetricsRequest,
  METRICS_PATH,
  type MetricsAnswer,
  registerSqlPoolMetrics,
} from "./metrics/metrics-endpoint.ts";
export { type RunMetrics, registerRunMetrics } from "./metrics/run-metrics.ts";
export { ACTIONS, type Action, can, isRole, PERMISSIONS, ROLES } from "./permissions/permission-matrix.ts";
export { mayManage } from "./permissions/roles.ts";
export { getPlanLimits, type PlanLimits } from "./plans/get-plan.ts";
export {
  type BulkRerunView,
  bulkRerunIdInput,
  bulkRerunInput,
  continueBulkRerun,
  getBulkRerun,
  MAX_BULK_RERUN,
  startBulkRerun,
} from "./runs/bulk-rerun.ts";
export { cancelRun, runIdInput } from "./runs/cancel-run.ts";
export { deleteExpiredRuns, uuidV7Floor } from "./runs/delete-expired-runs.ts";
export { createFinishedRunStore, type FinishedRunStore } from "./runs/finished-run-store.ts";
export { getRun, getRunInput } from "./runs/get-run.ts";
export { createGroupCommit, type GroupCommit } from "./runs/group-commit.ts";
export { createKeyLookup, keysHeld } from "./runs/idempotency-keys.ts";
export { type ListRunsFilter, listRuns, listRunsInput, type RunFilter, runFilter } from "./runs/list-runs.ts";
export { rerun, rerunFromStep, rerunFromStepInput, rerunInput, rerunVersion } from "./runs/rerun-run.ts";
export { createRunEventHub, type RunEvent, type RunEventHub, type RunWatch } from "./runs/run-events.ts";
export {
  type AcceptedRun,
  createRunIntake,
  type RunIntake,
  type RunIntakeCall,
  runOutcome,
} from "./runs/run-intake.ts";
export {
  type Checkpoint,
  commitRuns,
  type FinishedRun,
  type FlowVersionToRun,
  findChildRun,
  finishNewRuns,
  loadFlowVersion,
  loadRunSettings,
  type NewRun,
  type NotPickedUp,
  pickUpRuns,
  type RunCommit,
  type RunEnd,
  type RunResponse,
  type RunSettings,
  type RunToExecute,
  type RunTransition,
  readNewRuns,
  recordFinishedRuns,
  renewRunLeases,
} from "./runs/run-store.ts";
export type {
  Park,
  Parks,
  RunDetail,
  RunError,
  RunLogEntry,
  RunStatus,
  RunSummary,
  StepRunView,
} from "./runs/run-views.ts";
export { TERMINAL_STATUSES } from "./runs/run-views.ts";
export { type StartedRun, type StartRunOptions, startRun } from "./runs/start-run.ts";
export { type SweepReport, sweepRuns } from "./runs/sweep-runs.ts";
export { previewFireTimes, previewFireTimesInput } from "./schedules/preview-fire-times.ts";
export {
  type ReconcileReport,
  reconcileSchedules,
  requestScheduleSync,
  SCHEDULED_TRIGGERS,
  schedulerId,
} from "./schedules/reconcile-schedules.ts";
export {
  loadScheduledTrigger,
  rememberPollItems,
  type TriggerAddress,
} from "./schedules/scheduled-trigger.ts";
export { deleteSecret, deleteSecretInput } from "./secrets/delete-secret.ts";
export { listSecrets, type SecretSummary } from "./secrets/list-secrets.ts";
export { type OpenedSecrets, openWorkspaceSecrets } from "./secrets/load-secrets.ts";
export {
  type ResealReport,
  type ResealTable,
  resealAll,
} from "./secrets/reseal-secrets.ts";
export { setSecret, setSecretInput } from "./secrets/set-secret.ts";
export { RULE_TYPES, type RuleType } from "./security/rule-types.ts";
export {
  createRuleInput,
  createSecurityRule,
  deleteRuleInput,
  deleteSecurityRule,
  listSecurityRules,
  openSecurityRules,
  type RuleUsage,
  type RuleView,
  removeSigningSecret,
  removeSigningSecretInput,
  rotateRuleInput,
  rotateRuleSecret,
  ruleFailuresKey,
  ruleIdInput,
  type ShownOnce,
  securityRuleUsage,
  updateRuleInput,
  updateSecurityRule,
} from "./security/security-rules.ts";
export { verifyPeer } from "./security/verify-peer.ts";
export {
  type OpenedRule,
  STANDARD_WEBHOOKS_TOLERANCE_SECONDS,
  type Verdict,
  verifyRequest,
  type WebhookRequestFacts,
} from "./security/verify-request.ts";
export {
  getSsoSettings,
  mappedRole,
  type RoleMapping,
  removeSsoSettings,
  roleMappingInput,
  type SsoSettings,
  saveSsoSettings,
  ssoSecretContext,
  ssoSettingsInput,
} from "./sso/sso-settings.ts";
export {
  applySsoSignIn,
  claimSsoTicket,
  findSsoWorkspaces,
  finishSsoSignIn,
  issueSsoTicket,
  SSO_LINK_EXPIRED,
  type SsoSignIn,
  type SsoWorkspace,
  startSsoSignIn,
} from "./sso/sso-sign-in.ts";
export {
  type DurationSummary,
  type FlowStatistics,
  flowStatisticsInput,
  getFlowStatistics,
  STATISTICS_PERIODS,
  type StatisticsPeriod,
} from "./statistics/get-flow-statistics.ts";
export {
  type ActiveSubscription,
  activeSubscriptions,
  subscriptionConnection,
} from "./subscriptions/active-subscriptions.ts";
export {
  assignListenerPort,
  listListenerPorts,
  type PortRange,
  parsePortRange,
  pruneListenerPorts,
} from "./subscriptions/listener-ports.ts";
export { loadTriggerCursor, saveTriggerCursor } from "./subscriptions/trigger-cursor.ts";
export {
  clearTriggerStatus,
  FAILING_AFTER,
  recordTriggerStatus,
  renewTriggerStatus,
  type TriggerState,
  type TriggerStatus,
  triggerStatuses,
} from "./subscriptions/trigger-status.ts";
export { createFlowFromTemplate, createFromTemplateInput } from "./templates/create-flow-from-template.ts";
export { FLOW_TEMPLATES, type FlowTemplate } from "./templates/flow-templates.ts";
export { listTemplates, listTemplatesInput, type TemplateSummary } from "./templates/list-templates.ts";
export {
  listTopics,
  type TopicSubscriberView,
  type TopicView,
  updateTopic,
  updateTopicInput,
} from "./topics/list-topics.ts";
export { type Published, publishToTopic } from "./topics/publish-to-topic.ts";
export {
  endedRuns,
  noteDeliveryFailure,
  type PendingDelivery,
  pendingDeliveries,
  settleDeliveries,
} from "./topics/topic-deliveries.ts";
export { listWebhookUrls, type WebhookUrlView } from "./webhooks/list-webhook-urls.ts";
export {
  loadWebhookWorkspace,
  type WebhookRouteView,
  type WebhookWorkspace,
} from "./webhooks/load-webhook-workspace.ts";
export { compilePattern, matchPattern, normalizePath } from "./webhooks/route-pattern.ts";
export { syncWebhookRoutes, WEBHOOK_TRIGGER } from "./webhooks/sync-routes.ts";
export { createWorkspace, type WorkspaceSummary } from "./workspaces/create-workspace.ts";
export { deleteWorkspace, deleteWorkspaceInput } from "./workspaces/delete-workspace.ts";
export { findMyWorkspace, listMyWorkspaces, type MyWorkspace } from "./workspaces/list-my-workspaces.ts";
export { memberRole, OTHER_SSO_SESSION, SSO_REQUIRED, TWO_FACTOR_REQUIRED } from "./workspaces/member-role.ts";
export { operatorAllowedHostsSetting } from "./workspaces/operator-allowed-hosts.ts";
export { outboundPolicy } from "./workspaces/outbound-policy.ts";
export { renameWorkspace, renameWorkspaceInput } from "./workspaces/rename-workspace.ts";
export { slugSchema } from "./workspaces/slug.ts";
export { workspaceNameSchema } from "./workspaces/workspace-name.ts";
export {
  allowedHostsInput,
  getWorkspaceSettings,
  updateWorkspaceSettings,
  type WorkspaceSettings,
  workspaceSettingsInput,
} from "./workspaces/workspace-settings.ts";
