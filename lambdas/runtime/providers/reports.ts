import { ReportStore } from '../../adapters/aws/report-store';
import { requireEnv } from '../environment';

/** The reports bucket (`REPORTS_BUCKET`). */
export const reports = (): ReportStore => new ReportStore(requireEnv('REPORTS_BUCKET'));
