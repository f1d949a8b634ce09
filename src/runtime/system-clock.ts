import { DateTime } from 'luxon';
import type { Clock } from '../usecases/ports.js';

export const systemClock: Clock = { now: () => DateTime.utc() };
