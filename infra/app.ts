#!/usr/bin/env node
import { ConfigError } from '../core/errors';
import { buildApp } from './buildApp';
import { tributaryConfig } from './tributary.config';

try {
  buildApp(tributaryConfig).app.synth();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    console.error('Fix infra/tributary.config.ts and run again.');
    process.exit(1);
  }
  throw error;
}
