// A one-shot signal between a test and the code it holds: `wait` resolves once `fire` has been called.
export interface Signal {
  fire(): void;
  wait: Promise<void>;
}

export function signal(): Signal {
  let fire = () => {};
  const wait = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fire, wait };
}
