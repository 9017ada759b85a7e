// The Electron main entry (built to out/main/index.js): everything is in the shell.
import { startShell } from './shell/main';

startShell();
