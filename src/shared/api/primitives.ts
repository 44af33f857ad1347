import { z } from 'zod'

/** A database id: a positive integer. */
export const id = z.number().int().positive()
export const vec3 = z.tuple([z.number(), z.number(), z.number()])
