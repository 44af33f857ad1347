import { migration001 } from './001-initial'

/** Migration n (1-based) brings the schema from user_version n−1 to n. Append only. */
export const migrations: readonly string[] = [migration001]
