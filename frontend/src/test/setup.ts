import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// findBy* and waitFor wait for an outcome; how long they may wait is only a
// deadline for a hung test. The default of 1 s is less than a busy machine
// sometimes needs to render a page, so tests would fail for being slow.
configure({ asyncUtilTimeout: 15_000 });

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
});
