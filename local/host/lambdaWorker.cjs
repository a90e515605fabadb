// One Lambda execution environment: a worker thread with its own process.env,
// loading the bundle from cdk.out once (cold start) and running one invocation
// at a time, as a Lambda sandbox does.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');

const [file, exportName] = splitHandler(workerData.handler);
let handler;
try {
  const module = require(path.join(workerData.codeDir, file));
  handler = module[exportName];
  if (typeof handler !== 'function') throw new Error(`${workerData.handler} is not a function in ${workerData.codeDir}`);
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'init-error', errorType: error.name || 'Runtime.ImportModuleError', errorMessage: error.message });
}

parentPort.on('message', async (message) => {
  const deadlineMs = Date.now() + workerData.timeoutMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: workerData.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: workerData.functionArn,
    memoryLimitInMB: String(workerData.memorySizeMb),
    awsRequestId: message.requestId,
    logGroupName: `/aws/lambda/${workerData.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const payload = await handler(message.event, context);
    parentPort.postMessage({ type: 'result', requestId: message.requestId, ok: true, payload: payload === undefined ? null : payload });
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ type: 'result', requestId: message.requestId, ok: false, errorType: err.name, errorMessage: err.message, stack: err.stack });
  }
});

function splitHandler(handlerName) {
  const dot = handlerName.lastIndexOf('.');
  return [`${handlerName.slice(0, dot)}.js`, handlerName.slice(dot + 1)];
}
