import { declareMatrixShard } from './support/matrix-tests';

// The second half of the compliance matrix (see contexts.test.ts): one file per jest worker.
declareMatrixShard(1, 2);
