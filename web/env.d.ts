/// <reference types="vite/client" />
declare module '@procore/core-css';
