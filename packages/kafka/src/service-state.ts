/** The lifecycle every Ricochet consumer service goes through. */
export type ServiceState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';
