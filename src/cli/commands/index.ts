/** Every CLI command, in one table. */
import type { Command } from '../command';
import { imagesCommand } from './images';
import { tagCommand } from './tag';
import { inspectCommand } from './inspect';
import { historyCommand } from './history';
import { rmiCommand } from './rmi';
import { builderPruneCommand, pruneCommand } from './prune';
import { importCommand, loadCommand, saveCommand } from './archive';
import { checkCommand, dfCommand } from './system';
import { pullCommand, pushCommand } from './registry';
import { loginCommand, logoutCommand } from './login';
import { searchCommand } from './search';
import { buildCommand } from './build';

export const commands: Command[] = [
  imagesCommand, tagCommand, inspectCommand, historyCommand, rmiCommand, pruneCommand,
  importCommand, saveCommand, loadCommand, checkCommand, dfCommand, pullCommand, pushCommand, loginCommand, logoutCommand,
  searchCommand, buildCommand, builderPruneCommand,
];
