// A stand-in for your handler, so that the stack runs end to end before you have written one.
// Both deployments mount this file at /app/handlers/handler.mjs (Compose as a bind mount,
// Kubernetes through a generated ConfigMap); replace it with your own module there. Inside /app,
// a handler can import the packages the image already has, such as @ricochet/core.
//
// Send it a value containing `fail` to watch a record climb the retry tiers into the dead-letter
// topic, or `invalid` to send one straight there.

class ValidationError extends Error {
  name = 'ValidationError';
}

export default async function handler(record) {
  const text = record.value?.toString('utf8') ?? '';
  if (text.includes('invalid')) {
    throw new ValidationError(`rejected ${JSON.stringify(text)}`);
  }
  if (text.includes('fail')) {
    throw new Error(`simulated failure while handling ${JSON.stringify(text)}`);
  }
}

// Retrying cannot make an invalid record valid.
export function classify(error) {
  return error instanceof ValidationError ? 'non-retryable' : 'retryable';
}
