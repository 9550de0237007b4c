// Worker entry of the piscina adapter: runs the task named in the message.
// `import()` caches modules, so each task module loads once per worker.
import { Piscina } from 'piscina';
import { isTransferring, loadTask } from '../pool/task.ts';

interface TaskMessage {
  readonly module: string;
  readonly name: string;
  readonly input: unknown;
}

export default async function runTask(message: TaskMessage): Promise<unknown> {
  const fn = await loadTask(message.module, message.name);
  const result = await fn(message.input);
  if (!isTransferring(result)) return result;
  // piscina moves a result that implements its transferable interface and is marked by move()
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return result.transfer;
    },
    get [Piscina.valueSymbol]() {
      return result.value;
    },
  } as Parameters<typeof Piscina.move>[0]);
}
