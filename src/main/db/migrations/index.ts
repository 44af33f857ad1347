import { migration001 } from './001-initial'
import { migration002 } from './002-lung-masks'
import { migration003 } from './003-signed-report-pdf'
import { migration004 } from './004-instance-numbers'
import { migration005 } from './005-report-amendments'
import { migration006 } from './006-series-sources'
import { migration007 } from './007-pattern-override'

/** Migration n (1-based) brings the schema from user_version n−1 to n. Append only. */
export const migrations: readonly string[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007]
