export * from './schemas/index';
