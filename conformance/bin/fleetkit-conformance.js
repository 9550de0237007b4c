#!/usr/bin/env node
// fleetkit-conformance: replays the documented sequences against a server (runner/cli.ts).
import { runSource } from './run-source.js';

runSource('fleetkit-conformance', 'runner/cli.ts');
