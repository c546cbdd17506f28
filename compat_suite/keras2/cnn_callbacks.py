"""Keras 2.0-2.2: CNN (Conv2D, channels_last) with ModelCheckpoint (HDF5 per epoch,
monitor='val_acc'), EarlyStopping, ReduceLROnPlateau and CSVLogger."""
from __future__ import print_function
import csv
import glob
import numpy as np
np.random.seed(42)

import keras
from keras.models import Sequential, load_model
from keras.layers import Conv2D, MaxPooling2D, Flatten, Dense, Dropout
from keras.callbacks import ModelCheckpoint, EarlyStopping, ReduceLROnPlateau, CSVLogger
from keras import backend as K

n = 300
x = np.random.rand(n, 10, 10, 1).astype('float32') * 0.5
y = np.random.randint(0, 2, n)
x[y == 1, 2:6, 2:6, 0] += 1.0
x[y == 0, 5:9, 5:9, 0] += 1.0
y = keras.utils.to_categorical(y, 2)

model = Sequential()
model.add(Conv2D(8, kernel_size=(3, 3), activation='relu', input_shape=(10, 10, 1)))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(16, activation='relu'))
model.add(Dense(2, activation='softmax'))
model.compile(loss=keras.losses.categorical_crossentropy, optimizer=keras.optimizers.Adam(lr=0.01),
              metrics=['acc'])

callbacks = [
    ModelCheckpoint('weights.{epoch:02d}-{val_loss:.2f}.hdf5', monitor='val_acc', verbose=0,
                    save_best_only=False),
    ModelCheckpoint('best.h5', monitor='val_acc', save_best_only=True, mode='max'),
    EarlyStopping(monitor='val_loss', patience=3, verbose=0),
    ReduceLROnPlateau(monitor='val_loss', factor=0.5, patience=1, min_lr=1e-4),
    CSVLogger('training.log'),
]
history = model.fit(x, y, batch_size=32, epochs=8, verbose=0, validation_split=0.2,
                    callbacks=callbacks)
print(sorted(history.history.keys()))
assert 'acc' in history.history and 'val_acc' in history.history, history.history.keys()
score = model.evaluate(x, y, verbose=0)
print('Test loss:', score[0], 'Test accuracy:', score[1])
assert score[1] > 0.8 and history.history['loss'][-1] < history.history['loss'][0]

epochs_run = len(history.history['loss'])
assert len(glob.glob('weights.*.hdf5')) == epochs_run
rows = list(csv.DictReader(open('training.log')))
assert len(rows) == epochs_run and 'val_acc' in rows[0]
assert abs(float(rows[-1]['loss']) - history.history['loss'][-1]) < 1e-5

best = load_model('best.h5')
assert max(history.history['val_acc']) - best.evaluate(x[-60:], y[-60:], verbose=0)[1] < 1e-5
print('lr now', K.get_value(model.optimizer.lr))
print('OK')
