/**
 * Consistent pseudonyms for de-identified exports. Every value is an HMAC of the original under a
 * secret kept in this installation's database, so the same patient gets the same pseudonym and the
 * same date shift in every export from this workstation (longitudinal studies stay comparable),
 * while nobody without the secret can recompute them from a guessed patient ID.
 */
import { createHmac, randomBytes } from 'node:crypto'

/** Crockford base32: no I, L, O or U, so a pseudonym read aloud or retyped survives. */
const BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
/** Dates move back by 1 to 3650 days: far enough to hide the real date, close enough to stay plausible. */
const MAX_SHIFT_DAYS = 3650
export const PSEUDONYM_PREFIX = 'PULMO-'

export interface PatientPseudonym {
  /** Replaces both the patient's name and ID. */
  pseudonym: string
  /** Added to every date of this patient (negative: into the past). */
  dateShiftDays: number
}

/** Who a patient is for the pseudonym: the ID, else the name (some anonymised sets keep only one). */
export function patientKey(patient: { patientId?: string; patientName?: string }, fallback = ''): string {
  return (patient.patientId ?? '').trim() || (patient.patientName ?? '').trim() || fallback
}

export class PseudonymKeys {
  private readonly secret: Buffer

  constructor(secret: Uint8Array) {
    if (secret.length < 16) throw new Error('the de-identification secret must hold at least 16 bytes')
    this.secret = Buffer.from(secret)
  }

  /** A new random secret for an installation. */
  static newSecret(): Buffer {
    return randomBytes(32)
  }

  private digest(purpose: string, value: string): Buffer {
    return createHmac('sha256', this.secret).update(purpose).update('\0').update(value, 'utf8').digest()
  }

  patient(key: string): PatientPseudonym {
    const d = this.digest('patient', key)
    let pseudonym = PSEUDONYM_PREFIX
    // 10 base32 characters = 50 bits: collisions are negligible for one workstation's patients.
    for (let i = 0; i < 10; i++) pseudonym += BASE32[d[i] & 31]
    const shift = this.digest('date-shift', key).readUInt32BE(0)
    return { pseudonym, dateShiftDays: -(1 + (shift % MAX_SHIFT_DAYS)) }
  }

  /**
   * A replacement UID under the 2.25 (UUID-derived) root, the same for the same original: series
   * stay series, references between instances still resolve. At most 44 characters.
   */
  uid(original: string): string {
    const d = this.digest('uid', original)
    return '2.25.' + BigInt('0x' + d.subarray(0, 16).toString('hex')).toString()
  }
}
