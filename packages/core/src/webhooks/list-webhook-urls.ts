import { type Db, scoped } from "@tributary/db";

export type WebhookUrlView = {
  flowId: string;
  flowName: string;
  stepId: string;
  /** The path as written in the trigger; the URL is /hooks/<workspace slug>/<pattern> (/hooks-test/… for drafts). */
  pattern: string;
  methods: string[];
  responseMode: string;
  isTest: boolean;
  soap: boolean;
};

/** The webhook URLs the workspace's flows answer at: published ones first, then drafts' test URLs. */
export async function listWebhookUrls({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<WebhookUrlView[]> {
  const routes = await scoped(db, { workspaceId }, (tx) =>
    tx.webhookRoute.findMany({
      where: { workspaceId },
      orderBy: [{ isTest: "asc" }, { pattern: "asc" }],
      take: 200,
      select: {
        flowId: true,
        stepId: true,
        pattern: true,
        methods: true,
        responseMode: true,
        isTest: true,
        soap: true,
        flow: { select: { name: true } },
      },
    }),
  );
  return routes.map(({ flow, soap, ...route }) => ({ ...route, flowName: flow.name, soap: soap !== null }));
}
