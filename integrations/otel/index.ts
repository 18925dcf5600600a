export { registerBlueGreenMetrics } from './metrics.js'
