#!/usr/bin/env node
// fleetkit-conformance-broker: the broker suite alone, against any broker (broker/cli.ts).
import { runSource } from './run-source.js';

runSource('fleetkit-conformance-broker', 'broker/cli.ts');
