import { render } from 'preact';
import './app.css';
import { App } from './app.js';

render(<App />, document.getElementById('app')!);
