import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from '@slack/bolt';
import { homeView } from '../../blocks/home-view.js';
import { acceptanceSummary, buildStatusReport } from '../usecases/build-status-report.js';
import type { StatusDeps } from '../usecases/build-status-report.js';

/** The Home tab: the same status as `/cspm status`, plus the acceptances this user made and when they end. */
export function onHomeOpened(deps: StatusDeps) {
  return async ({
    event,
    client,
  }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    if (event.tab !== 'home') return;
    const [report, active] = await Promise.all([
      buildStatusReport(deps, { kind: 'all' }),
      deps.acceptances.activeEndingBefore('9999-12-31T23:59:59.999Z'),
    ]);
    const mine = active.filter((acceptance) => acceptance.acceptedBy === event.user).map(acceptanceSummary);
    await client.views.publish({
      user_id: event.user,
      view: homeView({ report, myAcceptances: mine, userId: event.user }),
    });
  };
}

export function registerAppHome(app: App, deps: StatusDeps): void {
  app.event('app_home_opened', onHomeOpened(deps));
}
