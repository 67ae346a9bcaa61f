// Jest loads global setup outside its transform; tsx compiles the TypeScript implementation.
import { tsImport } from 'tsx/esm/api';

const { default: run } = await tsImport('./emulators.setup.impl.ts', import.meta.url);
export default run;
