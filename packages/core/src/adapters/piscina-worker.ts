// Worker entry of the piscina adapter: runs the task named in the message.
import { Piscina } from 'piscina';
import { isTransferring, loadTask } from '../pool/task.ts';

interface TaskMessage {
  readonly module: string;
  readonly name: string;
  readonly input: unknown;
}

type Task = (input: unknown) => unknown;

// Resolved task functions of this worker thread: after the first call a task
// is one Map lookup away, with no import() promise on the hot path.
const tasks = new Map<string, Task>();

export default function runTask(message: TaskMessage): unknown {
  const key = `${message.name}@${message.module}`;
  const fn = tasks.get(key);
  if (fn) return settle(fn(message.input));
  return loadTask(message.module, message.name).then((loaded) => {
    tasks.set(key, loaded);
    return settle(loaded(message.input));
  });
}

function settle(result: unknown): unknown {
  if (result instanceof Promise) return result.then(toPiscina);
  return toPiscina(result);
}

function toPiscina(result: unknown): unknown {
  if (!isTransferring(result)) return result;
  // piscina moves a result that implements its transferable interface and went through move()
  const transferable = {
    get [Piscina.transferableSymbol]() {
      return result.transfer;
    },
    get [Piscina.valueSymbol]() {
      return result.value;
    },
  };
  return Piscina.move(transferable as unknown as Parameters<typeof Piscina.move>[0]);
}
