// The login form posts to Spring Security's /login; it needs the session's CSRF token first.
'use strict';

document.addEventListener('DOMContentLoaded', async () => {
  const params = new URLSearchParams(window.location.search);
  document.getElementById('login-error').hidden = !params.has('error');
  document.getElementById('login-info').hidden = !params.has('logout');
  const button = document.getElementById('sign-in');
  button.disabled = true;
  try {
    const response = await fetch('/api/demo/csrf', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    const csrf = await response.json();
    const input = document.getElementById('csrf');
    input.name = csrf.parameterName;
    input.value = csrf.token;
  } catch (e) {
    const error = document.getElementById('login-error');
    error.querySelector('div').textContent = 'The server could not be reached. Reload the page to try again.';
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});
