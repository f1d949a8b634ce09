import { AppError } from '../domain/app-error.js';

/** Bad configuration: every problem found, one line each, naming the variable and what is expected. */
export class ConfigError extends AppError {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`, { problems });
    this.problems = problems;
  }
}
