// The console's entry: registers <highrise-console>, which index.html already holds.
import './console-app';
